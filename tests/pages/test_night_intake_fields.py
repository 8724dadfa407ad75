"""The night form's fields for languages, each child's gender, an unknown adult age and an
earlier case number: through HTTP, against the real database."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlmodel import col, select

from placement.cases import languages
from placement.db import transaction
from placement.models import Case, Child, District, Person, PlacementRequest
from placement.models.enums import Gender, Role
from tests.conftest import ClientFactory, owner_sm
from tests.pages.helpers import CSRF, csrf_of


async def _district(app: Any, code: str) -> str:
    async with transaction(owner_sm(app)) as s:
        return str(
            (await s.execute(select(District.id).where(col(District.code) == code))).scalar_one()
        )


def test_the_language_list() -> None:
    common = languages.common("sv")
    names = [c.name for c in common]
    assert names[:4] == ["svenska", "arabiska", "somaliska", "tigrinja"]
    assert "dari" in names and "persiska" in names
    assert [c.name for c in languages.common("en")][:2] == ["Swedish", "Arabic"]
    bcs = next(c for c in common if "bs" in c.codes)
    assert bcs.codes == ("bs", "hr", "sr") and "(BCS)" in bcs.name
    others = languages.others("sv")
    assert {c.value for c in others}.isdisjoint({v for c in common for v in c.codes})
    assert "amhariska" in [c.name for c in others]
    keys = [c.name.casefold().translate(languages.SWEDISH_ORDER) for c in others]
    assert keys == sorted(keys)
    assert languages.parse(["ar", "bs,hr,sr", "ar", ""]) == ["ar", "bs", "hr", "sr"]
    # Every stored code is the ISO code the matcher compares (schemas.Needs accepts it).
    assert all(re.fullmatch(r"[a-z]{2,3}", code) for code in languages.known_codes())


async def test_the_form_lists_languages_by_name(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    jour = await client_for(Role.socialjour)
    page = (await jour.get("/night")).text
    assert 'value="ar"' in page and ">Arabiska<" in page and ">Tigrinja<" in page
    assert 'value="bs,hr,sr"' in page and 'id="language_other"' in page
    assert 'value="am">Amhariska<' in page
    # No typed codes and no "f/p" convention any more.
    assert 'name="languages" value=""' not in page and "g4" not in page


async def test_child_gender_rows_follow_the_ages(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    jour = await client_for(Role.socialjour)
    r = await jour.get(
        "/night/children", params={"children_ages": "4, 9", "child_gender_0": "male"}
    )
    assert r.status_code == 200
    assert r.text.count('<fieldset class="choices child-gender">') == 2
    assert 'name="child_gender_0" value="male" checked' in r.text
    assert 'name="child_gender_1" value="not_stated" checked' in r.text
    assert "Barn 2, 9 år: kön" in r.text


async def test_an_error_keeps_everything_and_the_intake_stores_what_was_chosen(
    app: Any, demo: dict[str, int], client_for: ClientFactory
) -> None:
    jour = await client_for(Role.socialjour)
    farsta = await _district(app, "farsta")
    async with transaction(owner_sm(app)) as s:
        earlier = (
            await s.execute(select(Case).order_by(col(Case.opened_at)).limit(1))
        ).scalar_one()
        earlier_number, earlier_id = earlier.case_number, earlier.id
    form = {
        "children_ages": "4, 9",
        "child_gender_0": "female",
        "languages": ["ar", "bs,hr,sr", "am"],
        "avoid": farsta,
        "responsible": farsta,
        "age": "",
    }
    token = await csrf_of(jour, "/night")
    # A case number that does not exist: a form error at the field, nothing lost.
    bad = await jour.post(
        "/night", data={"csrf_token": token, **form, "earlier_case_number": "RV-1999-ZZZZZZ"}
    )
    assert bad.status_code == 422
    assert 'id="earlier_case_number-error"' in bad.text and 'value="RV-1999-ZZZZZZ"' in bad.text
    assert 'value="ar" checked' in bad.text and 'value="bs,hr,sr" checked' in bad.text
    assert 'value="am" selected' in bad.text
    assert 'name="child_gender_0" value="female" checked' in bad.text
    assert 'name="child_gender_1" value="not_stated" checked' in bad.text
    assert f'value="{farsta}" selected' in bad.text
    # Something that cannot be a case number (here shaped like a personal number).
    token = CSRF.search(bad.text).group(1)  # type: ignore[union-attr]
    bad = await jour.post(
        "/night", data={"csrf_token": token, **form, "earlier_case_number": "19800101 1234"}
    )
    assert bad.status_code == 422 and 'id="earlier_case_number-error"' in bad.text
    # A made-up gender or language is refused at its field.
    token = CSRF.search(bad.text).group(1)  # type: ignore[union-attr]
    bad = await jour.post(
        "/night", data={"csrf_token": token, **form, "child_gender_1": "x", "languages": "zz"}
    )
    assert bad.status_code == 422
    assert 'id="child_genders-error"' in bad.text and 'id="languages-error"' in bad.text

    token = CSRF.search(bad.text).group(1)  # type: ignore[union-attr]
    r = await jour.post(
        "/night", data={"csrf_token": token, **form, "earlier_case_number": earlier_number}
    )
    assert r.status_code == 303, r.text
    async with transaction(owner_sm(app)) as s:
        req = await s.get(PlacementRequest, r.headers["location"].rsplit("/", 1)[1])
        assert req is not None
        case = await s.get(Case, req.case_id)
        assert case is not None
        person = await s.get(Person, case.person_id)
        kids = (
            (
                await s.execute(
                    select(Child)
                    .where(col(Child.case_id) == case.id)
                    .order_by(col(Child.pseudonym))
                )
            )
            .scalars()
            .all()
        )
        assert case.languages == ["ar", "bs", "hr", "sr", "am"]
        assert person is not None and person.birth_year is None  # not known, not a guess
        assert [k.gender for k in kids] == [Gender.female, Gender.not_stated]
        assert case.earlier_case_id == earlier_id and case.person_link is not None
        case_id = case.id
    rvt = await client_for(Role.rvt_officer, district_id=uuid.UUID(farsta))
    page = await rvt.get(f"/cases/{case_id}")
    assert page.status_code == 200, page.text
    assert "Kvinna, ålder okänd" in page.text
    assert "Ej angivet" in page.text  # the second child's gender
