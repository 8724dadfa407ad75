"""The housing agency's priority pages through HTTP: who may see them, what they show (and never
show), and the basic actions with their errors next to the field."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from placement.db import transaction
from placement.models import Operator, Unit
from placement.models.enums import Role
from tests.conftest import ClientFactory, owner_sm
from tests.pages.helpers import csrf_of, post_form
from tests.priority.conftest import World
from tests.priority.conftest import sign_in as sign_in  # fixture: a remembered sign-in
from tests.priority.conftest import world as world  # fixture: a placed household, its secrets
from tests.priority.flow import DEBT_NOTE, start_application, walk_chain

SignIn = Any


def text_of(r: httpx.Response) -> str:
    return html.unescape(r.text)


def error_of(r: httpx.Response, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', r.text, re.S)
    assert match, f"no error next to {field}"
    return html.unescape(match.group(1))


def assert_no_social_file(page: str, w: World) -> None:
    lowered = page.lower()
    for label, secret in w.secrets.items():
        if label == "shelter district":  # the code "bromma": checked by its name below
            continue
        assert secret.lower() not in lowered, f"the agency's page shows the {label}"
    for word in ("bromma", "patriark", "freda", "risk", "skyddsbehov", "hemliggatan"):
        assert word not in lowered, word


async def _submitted(world: World, sign_in: SignIn, **fields: Any) -> tuple[Any, Any, str]:
    handler = await sign_in(Role.rvt_officer, world.districts["sodermalm"])
    agency = await sign_in(Role.housing_agency)
    created = await start_application(handler, world.case_id, **fields)
    return handler, agency, created["id"]


async def test_list_and_detail_show_the_application_and_nothing_of_the_social_file(
    world: World, sign_in: SignIn
) -> None:
    handler, agency, app_id = await _submitted(world, sign_in, max_rent_sek=9000)
    await handler.post(
        f"/api/priority/applications/{app_id}/messages", json={"body": "Hör av er vid frågor."}
    )

    listed = await agency.get("/priority")
    assert listed.status_code == 200
    page = text_of(listed)
    assert page.count("<h1>") == 1
    assert world.case_number in page and f'href="/priority/{app_id}"' in page
    assert "Inskickad" in page  # the status, translated
    assert_no_social_file(page, world)

    detail = await agency.get(f"/priority/{app_id}")
    assert detail.status_code == 200
    page = text_of(detail)
    assert page.count("<h1>") == 1 and world.case_number in page
    assert "Farsta" in page  # area to avoid, by name
    assert "Skärholmen" in page  # needed area (the child's school district)
    assert ">7<" in page  # the child's age
    assert "Strong social needs after violence." in page  # the certificate
    assert "Hör av er vid frågor." in page  # the handler's message
    assert "9000" in page  # highest rent
    assert 'name="to_status"' in page and 'value="under_review"' in page
    assert 'value="approved"' not in page  # only the next steps are offered
    assert_no_social_file(page, world)

    filtered = text_of(await agency.get("/priority", params={"status": "approved"}))
    assert world.case_number not in filtered
    assert world.case_number in text_of(await agency.get("/priority?status=submitted"))
    bad = await agency.get("/priority", params={"status": "nonsense"})
    assert bad.status_code == 200 and error_of(bad, "status")


async def test_demo_city_pages(app: Any, demo: dict[str, int], client_for: ClientFactory) -> None:
    async with transaction(owner_sm(app)) as s:
        units = set((await s.execute(select(col(Unit.name)))).scalars())
        operators = set((await s.execute(select(col(Operator.name)))).scalars())
    assert units and operators
    agency = await client_for(Role.housing_agency)
    page = text_of(await agency.get("/priority"))
    assert demo["priority_applications"] >= 2
    rows = re.findall(r'<th scope="row"[^>]*><a href="/priority/([0-9a-f-]+)">', page)
    assert len(rows) == demo["priority_applications"] - 1  # drafts stay with social services
    for app_id in rows:
        r = await agency.get(f"/priority/{app_id}")
        assert r.status_code == 200, app_id
        shown = text_of(r)
        for name in units | operators:
            assert name not in shown, name
        for word in ("PATRIARK", "FREDA", "Skyddat boende"):
            assert word not in shown


async def test_who_may_open_the_pages(world: World, sign_in: SignIn, anon_client: Any) -> None:
    _, _, app_id = await _submitted(world, sign_in)
    signed_out = await anon_client.get("/priority")
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/login?next=/priority"
    detail_out = await anon_client.get(f"/priority/{app_id}")
    assert detail_out.headers["location"] == f"/login?next=/priority/{app_id}"

    coordinator = await sign_in(Role.coordinator)
    assert (await coordinator.get("/priority")).status_code == 403
    assert (await coordinator.get(f"/priority/{app_id}")).status_code == 403
    officer = await sign_in(Role.rvt_officer, world.districts["sodermalm"])
    assert (await officer.get("/priority")).status_code == 403
    assert (await officer.get(f"/priority/{app_id}")).status_code == 403
    token = await csrf_of(officer, "/login")
    refused = await officer.post(
        f"/priority/{app_id}/messages", data={"body": "Hej", "csrf_token": token}
    )
    assert refused.status_code == 403

    agency = await sign_in(Role.housing_agency)
    assert (await agency.get("/priority/not-an-id")).status_code == 404
    missing = await agency.get("/priority/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    no_token = await agency.post(f"/priority/{app_id}/messages", data={"body": "Hej"})
    assert no_token.status_code == 403


async def test_status_steps(world: World, sign_in: SignIn) -> None:
    _, agency, app_id = await _submitted(world, sign_in, registered_in_city_since="2025-06-01")
    page = f"/priority/{app_id}"
    action = f"{page}/status"

    skipped = await post_form(
        agency, page, action, {"to_status": "approved", "reason": "Allt stämmer."}
    )
    assert skipped.status_code == 409
    assert "hoppas ett steg över" in error_of(skipped, "to_status")  # in Swedish, labels too
    assert "beviljad" in error_of(skipped, "to_status")
    assert "Allt stämmer." in text_of(skipped)  # what was typed stays
    assert 'aria-invalid="true" aria-describedby="to_status-error"' in skipped.text

    empty = await post_form(agency, page, action, {"to_status": "", "reason": ""})
    assert empty.status_code == 422 and error_of(empty, "to_status")

    moved = await post_form(agency, page, action, {"to_status": "under_review", "reason": ""})
    assert moved.status_code == 303
    assert moved.headers["location"] == f"{page}?done=status#main"
    after = text_of(await agency.get(moved.headers["location"]))
    assert 'class="flash"' in after
    assert "Under handläggning" in after  # status and history
    assert 'value="rejected"' in after

    # The two-year rule fails and is shown; approving is not offered, and says why.
    assert "2027-06-01" in after
    assert 'value="approved"' not in after
    not_yet = after.split('id="not-yet-h"')[1].split("</ul>")[0]
    assert "Beviljad" in not_yet and "Folkbokförd i staden utan avbrott i minst två år" in not_yet
    refused = await post_form(agency, page, action, {"to_status": "approved", "reason": ""})
    assert refused.status_code == 409 and error_of(refused, "to_status")

    no_reason = await post_form(agency, page, action, {"to_status": "rejected", "reason": " "})
    assert no_reason.status_code == 422 and error_of(no_reason, "status_reason")
    rejected = await post_form(
        agency, page, action, {"to_status": "rejected", "reason": "Inte skriven i två år."}
    )
    assert rejected.status_code == 303
    final = text_of(await agency.get(page))
    assert "Avslagen" in final and "Inte skriven i två år." in final


async def test_override_a_failed_check(world: World, sign_in: SignIn) -> None:
    _, agency, app_id = await _submitted(world, sign_in, registered_in_city_since="2025-06-01")
    page = f"/priority/{app_id}"
    action = f"{page}/overrides"
    data = {"check": "two_year_registration"}
    empty = await post_form(agency, page, action, {**data, "reason": ""})
    assert empty.status_code == 422
    assert error_of(empty, "override_two_year_registration")
    done = await post_form(
        agency, page, action, {**data, "reason": "Bodde i staden i andra hand sedan 2022."}
    )
    assert done.status_code == 303 and done.headers["location"] == f"{page}?done=override#checks-h"
    shown = text_of(await agency.get(page))
    assert "Bodde i staden i andra hand sedan 2022." in shown
    assert 'name="check" value="two_year_registration"' not in shown


async def test_certificate_request(world: World, sign_in: SignIn) -> None:
    _, agency, app_id = await _submitted(world, sign_in, certificate=False)
    page = f"/priority/{app_id}"
    no_cert = await post_form(
        agency, page, f"{page}/status", {"to_status": "under_review", "reason": ""}
    )
    assert no_cert.status_code == 409
    assert "Det finns inget intyg" in error_of(no_cert, "to_status")  # translated
    # The menu does not offer the review; it says what is missing for it instead.
    before = text_of(await agency.get(page))
    assert 'value="under_review"' not in before
    not_yet = before.split('id="not-yet-h"')[1].split("</ul>")[0]
    assert "Under handläggning" in not_yet and "Det finns inget intyg" in not_yet

    empty = await post_form(agency, page, f"{page}/certificate-request", {"reason": ""})
    assert empty.status_code == 422 and error_of(empty, "certificate_reason")
    asked = await post_form(
        agency, page, f"{page}/certificate-request", {"reason": "Beskriv boendebehovet."}
    )
    assert asked.status_code == 303
    shown = text_of(await agency.get(page))
    assert "Intyg begärt" in shown and "Beskriv boendebehovet." in shown
    assert 'action="/priority/' + app_id + '/certificate-request"' not in shown
    # Not a dead end: the page says what happens next and where to write to the handler.
    assert "Väntar på intyget från socialtjänsten" in shown and 'href="#messages-h"' in shown


async def test_post_a_message(world: World, sign_in: SignIn) -> None:
    handler, agency, app_id = await _submitted(world, sign_in)
    page = f"/priority/{app_id}"
    empty = await post_form(agency, page, f"{page}/messages", {"body": "   "})
    assert empty.status_code == 422 and error_of(empty, "body")
    too_long = await post_form(agency, page, f"{page}/messages", {"body": "x" * 4001})
    assert too_long.status_code == 422 and error_of(too_long, "body")
    sent = await post_form(
        agency, page, f"{page}/messages", {"body": "Har hushållet bott någon annanstans?"}
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"{page}?done=message#messages-h"
    assert "Har hushållet bott någon annanstans?" in text_of(await agency.get(page))
    theirs = (await handler.get(f"/api/priority/applications/{app_id}/messages")).json()
    assert [m["body"] for m in theirs] == ["Har hushållet bott någon annanstans?"]


@pytest.mark.parametrize("lang", ["en", "sv"])
async def test_both_languages(world: World, sign_in: SignIn, lang: str) -> None:
    _, agency, app_id = await _submitted(world, sign_in)
    for path in ("/priority", f"/priority/{app_id}"):
        r = await agency.get(path, params={"lang": lang})
        assert r.status_code == 200 and f'<html lang="{lang}">' in r.text
    if lang == "en":
        assert "Priority applications" in text_of(await agency.get("/priority"))


async def test_the_whole_chain_on_the_page(
    app: Any, world: World, sign_in: SignIn, clock: Any, keyring: Any, settings: Any
) -> None:
    """After appeal, committee, offer and contract: appeals and offers are shown, nothing else."""
    handler = await sign_in(Role.rvt_officer, world.districts["sodermalm"])
    agency = await sign_in(Role.housing_agency)
    chain = await walk_chain(app, clock, keyring, settings, world, handler, agency)
    r = await agency.get(f"/priority/{chain.application_id}", params={"lang": "en"})
    assert r.status_code == 200
    page = text_of(r)
    assert "Meeting on 2026-12-10, papers due 2026-12-03" in page
    assert "BF-2026-1187, Skärholmen: Accepted" in page
    assert "Contract signed" in page
    assert "Not shared: the applicant has not consented to share it." in page
    assert DEBT_NOTE not in page
    assert "Lived in the city on a sublet since 2023." in page  # the committee's reason
    assert_no_social_file(page, world)
    assert_no_social_file(text_of(await agency.get("/priority")), world)
    # What the system wrote in the history reads in the reader's language.
    assert "Flat BF-2026-1187 offered." in page and "Appeal to the committee meeting" in page
    assert "The committee approved the appeal: Lived in the city" in page
    assert "Lägenhet" not in page and "Nämnden" not in page
    sv = text_of(await agency.get(f"/priority/{chain.application_id}", params={"lang": "sv"}))
    assert "Lägenhet BF-2026-1187 erbjuden." in sv and "Överklagat till nämndens" in sv
    assert "Nämnden biföll överklagandet: Lived in the city" in sv
    for english in ("offered.", "signed on", "Appeal to the committee", "The committee"):
        assert english not in sv, english
    # The JSON API keeps the English text beside the message id and its blanks.
    data = (await agency.get(f"/api/priority/agency/applications/{chain.application_id}")).json()
    offered = [h for h in data["history"] if h.get("reason_key") == "Flat {reference} offered."]
    assert offered and offered[0]["reason"] == "Flat BF-2026-1187 offered."
    assert offered[0]["reason_params"] == {"reference": "BF-2026-1187"}


async def test_assess_the_priority_criterion(world: World, sign_in: SignIn) -> None:
    _, agency, app_id = await _submitted(world, sign_in)
    page = f"/priority/{app_id}"
    action = f"{page}/criterion"
    first = text_of(await agency.get(page))
    assert "Förturskriteriet" in first and "Inte bedömt än" in first
    assert f'action="{action}#criterion-h"' in first  # the agency can assess while submitted
    moved = await post_form(agency, page, f"{page}/status", {"to_status": "under_review"})
    assert moved.status_code == 303

    # Approval is not offered; the menu's "not possible yet" names the criterion.
    reviewed = text_of(await agency.get(page))
    assert 'value="approved"' not in reviewed
    not_yet = reviewed.split('id="not-yet-h"')[1].split("</ul>")[0]
    assert "Beviljad" in not_yet
    assert "starka medicinska eller sociala behov eller ytterst trängande omständigheter" in (
        not_yet
    )
    refused = await post_form(agency, page, f"{page}/status", {"to_status": "approved"})
    assert refused.status_code == 409
    assert "är inte bedömt än" in error_of(refused, "to_status")

    no_choice = await post_form(agency, page, action, {"reason": "Intyget visar behoven."})
    assert no_choice.status_code == 422
    assert error_of(no_choice, "criterion_met") == "Välj om kriteriet är uppfyllt eller inte."
    assert 'aria-invalid="true"' not in no_choice.text.split('id="criterion"')[1].split(">")[0]
    assert "Intyget visar behoven." in text_of(no_choice)  # what was typed stays
    no_reason = await post_form(agency, page, action, {"met": "yes", "reason": "  "})
    assert no_reason.status_code == 422
    assert "Ange skälet till bedömningen" in error_of(no_reason, "criterion")
    assert 'value="yes" checked' in no_reason.text
    assert 'aria-invalid="true" aria-describedby="criterion-hint criterion-error"' in (
        no_reason.text
    )

    no = await post_form(agency, page, action, {"met": "no", "reason": "Inga starka behov."})
    assert no.status_code == 303 and no.headers["location"] == f"{page}?done=criterion#criterion-h"
    shown = text_of(await agency.get(no.headers["location"]))
    assert 'class="flash"' in shown and "Inte uppfyllt" in shown
    assert "Inga starka behov." in shown and "Bedöm kriteriet på nytt" in shown
    still = await post_form(agency, page, f"{page}/status", {"to_status": "approved"})
    assert "har bedömts som inte uppfyllt" in error_of(still, "to_status")

    yes = await post_form(agency, page, action, {"met": "yes", "reason": "Starka sociala behov."})
    assert yes.status_code == 303
    ready = text_of(await agency.get(page))
    assert 'value="approved"' in ready and "Starka sociala behov." in ready
    approved = await post_form(agency, page, f"{page}/status", {"to_status": "approved"})
    assert approved.status_code == 303
    final = text_of(await agency.get(page))
    assert f'action="{action}#criterion-h"' not in final  # fixed once decided
    late = await post_form(agency, page, action, {"met": "no", "reason": "Ändrat."})
    assert late.status_code == 409 and "bara bedömas medan" in error_of(late, "criterion_met")
