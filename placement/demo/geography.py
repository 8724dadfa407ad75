"""The demo city's districts: Stockholm's district administrations and the Nordväst pool.

Points are approximate district centres (public geography, not addresses).
"""

from __future__ import annotations

from typing import NamedTuple


class DistrictSeed(NamedTuple):
    code: str
    name: str
    municipality: str
    rvc_region: str | None
    pool: str | None
    lat: float
    lon: float
    neighbours: tuple[str, ...]


STOCKHOLM = "Stockholm"

DISTRICTS: tuple[DistrictSeed, ...] = (
    DistrictSeed(
        "rinkeby-kista",
        "Rinkeby-Kista",
        STOCKHOLM,
        "vast",
        None,
        59.403,
        17.927,
        ("spanga-tensta", "hasselby-vallingby", "sollentuna", "jarfalla", "solna"),
    ),
    DistrictSeed(
        "spanga-tensta",
        "Spånga-Tensta",
        STOCKHOLM,
        "vast",
        None,
        59.389,
        17.900,
        ("rinkeby-kista", "hasselby-vallingby", "bromma", "jarfalla"),
    ),
    DistrictSeed(
        "hasselby-vallingby",
        "Hässelby-Vällingby",
        STOCKHOLM,
        "vast",
        None,
        59.364,
        17.857,
        ("spanga-tensta", "rinkeby-kista", "bromma", "jarfalla"),
    ),
    DistrictSeed(
        "bromma",
        "Bromma",
        STOCKHOLM,
        "vast",
        None,
        59.338,
        17.939,
        ("hasselby-vallingby", "spanga-tensta", "kungsholmen", "solna", "hagersten-liljeholmen"),
    ),
    DistrictSeed(
        "kungsholmen",
        "Kungsholmen",
        STOCKHOLM,
        "innerstaden",
        None,
        59.332,
        18.029,
        ("norrmalm", "bromma", "solna", "sodermalm", "hagersten-liljeholmen"),
    ),
    DistrictSeed(
        "norrmalm",
        "Norrmalm",
        STOCKHOLM,
        "innerstaden",
        None,
        59.343,
        18.050,
        ("kungsholmen", "ostermalm", "sodermalm", "solna"),
    ),
    DistrictSeed(
        "ostermalm",
        "Östermalm",
        STOCKHOLM,
        "innerstaden",
        None,
        59.338,
        18.089,
        ("norrmalm", "sodermalm"),
    ),
    DistrictSeed(
        "sodermalm",
        "Södermalm",
        STOCKHOLM,
        "innerstaden",
        None,
        59.314,
        18.071,
        (
            "norrmalm",
            "kungsholmen",
            "ostermalm",
            "hagersten-liljeholmen",
            "enskede-arsta-vantor",
            "skarpnack",
        ),
    ),
    DistrictSeed(
        "enskede-arsta-vantor",
        "Enskede-Årsta-Vantör",
        STOCKHOLM,
        "sydost",
        None,
        59.277,
        18.073,
        ("sodermalm", "skarpnack", "farsta", "alvsjo", "hagersten-liljeholmen"),
    ),
    DistrictSeed(
        "skarpnack",
        "Skarpnäck",
        STOCKHOLM,
        "sydost",
        None,
        59.267,
        18.133,
        ("sodermalm", "enskede-arsta-vantor", "farsta"),
    ),
    DistrictSeed(
        "farsta",
        "Farsta",
        STOCKHOLM,
        "sydost",
        None,
        59.243,
        18.092,
        ("skarpnack", "enskede-arsta-vantor", "alvsjo"),
    ),
    DistrictSeed(
        "alvsjo",
        "Älvsjö",
        STOCKHOLM,
        "sydvast",
        None,
        59.279,
        18.010,
        ("enskede-arsta-vantor", "farsta", "hagersten-liljeholmen", "skarholmen"),
    ),
    DistrictSeed(
        "hagersten-liljeholmen",
        "Hägersten-Liljeholmen",
        STOCKHOLM,
        "sydvast",
        None,
        59.300,
        17.990,
        ("sodermalm", "kungsholmen", "bromma", "alvsjo", "skarholmen", "enskede-arsta-vantor"),
    ),
    DistrictSeed(
        "skarholmen",
        "Skärholmen",
        STOCKHOLM,
        "sydvast",
        None,
        59.277,
        17.907,
        ("hagersten-liljeholmen", "alvsjo"),
    ),
    # Boendekedjan Nordväst: neighbouring municipalities sharing a pool of flats.
    DistrictSeed(
        "upplands-vasby",
        "Upplands Väsby",
        "Upplands Väsby",
        None,
        "nordvast",
        59.518,
        17.911,
        ("sollentuna", "sigtuna"),
    ),
    DistrictSeed(
        "sollentuna",
        "Sollentuna",
        "Sollentuna",
        None,
        "nordvast",
        59.428,
        17.951,
        ("upplands-vasby", "jarfalla", "rinkeby-kista"),
    ),
    DistrictSeed(
        "jarfalla",
        "Järfälla",
        "Järfälla",
        None,
        "nordvast",
        59.423,
        17.835,
        ("sollentuna", "upplands-bro", "spanga-tensta", "hasselby-vallingby"),
    ),
    DistrictSeed(
        "solna",
        "Solna",
        "Solna",
        None,
        "nordvast",
        59.360,
        18.000,
        ("sundbyberg", "kungsholmen", "norrmalm", "bromma", "rinkeby-kista"),
    ),
    DistrictSeed(
        "sundbyberg",
        "Sundbyberg",
        "Sundbyberg",
        None,
        "nordvast",
        59.361,
        17.971,
        ("solna", "bromma"),
    ),
    DistrictSeed(
        "sigtuna",
        "Sigtuna",
        "Sigtuna",
        None,
        "nordvast",
        59.617,
        17.724,
        ("upplands-vasby", "upplands-bro"),
    ),
    DistrictSeed(
        "upplands-bro",
        "Upplands-Bro",
        "Upplands-Bro",
        None,
        "nordvast",
        59.516,
        17.634,
        ("jarfalla", "sigtuna"),
    ),
)
