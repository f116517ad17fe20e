"""审计 › 预期判定 in the workbench: an auditor sees the policy's cases as the policy in force
decides them, filters them by role and object, and finds a failing case first, marked in red
text with an icon (not colour alone)."""

from playwright.async_api import Locator, Page, expect

from hub.access.cases import load_cases
from hub.settings import REPO_ROOT
from tests.access.test_policy_cases import flipped_case
from tests.web.conftest import DESK, sign_in_staff

__all__ = ["flipped_case"]  # the access tests' fixture: a policy dir whose one case fails

CASES = load_cases(REPO_ROOT / "policies")
WAIT = 20_000


async def _cases(page: Page) -> Locator:
    table = page.locator("[data-test=policy-cases] [data-test=cases]")
    await expect(table.locator("tbody tr").first).to_be_visible(timeout=WAIT)
    return table


async def test_an_auditor_sees_and_filters_the_cases_all_holding(open_page, hub_url: str) -> None:
    watched = await open_page(DESK)
    page = watched.page
    await sign_in_staff(watched, hub_url, "auditor")
    table = await _cases(page)
    summary = page.locator("[data-test=cases-summary]")
    await expect(summary).to_contain_text(f"共 {len(CASES)} 条，成立 {len(CASES)} 条")
    await expect(summary).to_contain_text("全部成立")
    rows = table.locator("tbody tr")
    await expect(rows).to_have_count(len(CASES))
    await expect(table.locator("[data-test=case-verdict]", has_text="不成立")).to_have_count(0)

    card = page.locator("[data-test=policy-cases]")
    await card.locator(".el-select").click()
    await page.get_by_role("option", name="审计员（auditor）").click()
    auditor = [c for c in CASES if c.subject == "auditor"]
    await expect(rows).to_have_count(len(auditor))
    await expect(card.locator("[data-test=cases-shown]")).to_have_text(f"显示 {len(auditor)} 条")
    await page.get_by_label("对象", exact=True).fill("audit.log")
    both = [c for c in auditor if "audit.log" in c.obj]
    assert both
    await expect(rows).to_have_count(len(both))
    await expect(rows.first).to_contain_text("audit.log")
    await page.get_by_label("对象", exact=True).fill("没有这个对象")
    await expect(card.get_by_text("没有符合条件的预期判定")).to_be_visible()
    watched.clean()


async def test_a_failing_case_comes_first_in_red_with_an_icon(
    open_page, hub_url: str, flipped_case: int
) -> None:
    watched = await open_page(DESK)
    page = watched.page
    await sign_in_staff(watched, hub_url, "auditor")
    table = await _cases(page)
    summary = page.locator("[data-test=cases-summary]")
    await expect(summary).to_contain_text(f"成立 {len(CASES) - 1} 条，不成立 1 条，请勿签署")
    first = table.locator("tbody tr").first
    verdict = first.locator("[data-test=case-verdict]")
    await expect(verdict).to_have_text("不成立")
    await expect(verdict.locator("svg")).to_be_visible()
    await expect(first).to_contain_text("审计员（auditor）")
    await expect(first).to_contain_text("policy")
    await expect(first.locator("td").nth(1)).to_have_text(str(flipped_case))
    await expect(verdict).to_have_css("color", "rgb(179, 38, 30)")
    second = table.locator("tbody tr").nth(1).locator("[data-test=case-verdict]")
    await expect(second).to_have_text("✓ 成立")
    await watched.shot("workbench-audit-cases")
    watched.clean()
