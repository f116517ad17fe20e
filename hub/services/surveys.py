"""Questionnaires of service projects: choices, scales and free text, one answer a resident.

A survey is designed (draft), sent to an audience (open: the residents in it see it in the app,
get it by subscription, or open its printable link with the survey token; hub/services/
audience.py) and closed. Respondents are
keyed hashes of the resident; the key refuses a second answer (ALREADY_ANSWERED). Free-text
answers go through the opinions' text analysis (keywords, category). Results count live; the
satisfaction rate is the share of 4–5 answers to the satisfaction scales, against 97 %.
"""

import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hub.civic.records import now
from hub.civic.text import TextAnalyzer
from hub.errors import AccessDenied, BadInput, ErrorCode
from hub.services.audience import Audience, Member, not_in_audience, visible
from hub.services.records import Answer, Project, Survey

KINDS = ("choice", "scale", "text")
SCALE = (1, 5)
SATISFIED = 4  # 4 or 5 on a 1–5 scale
TARGET_RATE = 0.97
MAX_TEXT = 2000


@dataclass(frozen=True)
class Question:
    kind: str
    text: str
    options: tuple[str, ...] = ()
    satisfaction: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "options": list(self.options),
                "satisfaction": self.satisfaction}


@dataclass(frozen=True)
class QuestionResult:
    index: int
    text: str
    kind: str
    answers: int
    choices: dict[str, int]
    mean: float | None
    keywords: list[tuple[str, int]]
    categories: dict[str, int]


@dataclass(frozen=True)
class Results:
    respondents: int
    satisfaction_answers: int
    satisfied: int
    questions: list[QuestionResult]

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.satisfaction_answers if self.satisfaction_answers else None

    @property
    def meets_target(self) -> bool | None:
        rate = self.satisfaction_rate
        return None if rate is None else rate >= TARGET_RATE


def check_questions(questions: Sequence[Question]) -> list[dict[str, Any]]:
    if not questions:
        raise BadInput("a survey needs at least one question")
    out = []
    for i, q in enumerate(questions, start=1):
        if q.kind not in KINDS:
            raise BadInput(f"question {i}: kind must be choice, scale or text")
        if not q.text.strip():
            raise BadInput(f"question {i} has no text")
        if q.kind == "choice" and len({o.strip() for o in q.options if o.strip()}) < 2:
            raise BadInput(f"question {i}: a choice needs at least two options")
        if q.satisfaction and q.kind != "scale":
            raise BadInput(f"question {i}: satisfaction is asked on a 1–5 scale")
        out.append(Question(q.kind, q.text.strip()[:500],
                            tuple(o.strip()[:200] for o in q.options if o.strip()),
                            q.satisfaction).as_json())
    return out


def check_answers(questions: list[dict[str, Any]], given: Sequence[str | None]) -> list[Any]:
    """One value per question (None: skipped); choices by option text, scales 1–5."""
    if len(given) != len(questions):
        raise BadInput(f"give one answer per question ({len(questions)}), null to skip")
    values: list[Any] = []
    for i, (q, value) in enumerate(zip(questions, given, strict=True), start=1):
        if value is None or not str(value).strip():
            values.append(None)
        elif q["kind"] == "choice":
            if value not in q["options"]:
                raise BadInput(f"answer {i} is not one of the options")
            values.append(value)
        elif q["kind"] == "scale":
            try:
                score = int(value)
            except ValueError:
                raise BadInput(f"answer {i} must be a number from 1 to 5") from None
            if not SCALE[0] <= score <= SCALE[1]:
                raise BadInput(f"answer {i} must be a number from 1 to 5")
            values.append(score)
        else:
            values.append(str(value).strip()[:MAX_TEXT])
    return values


class Surveys:
    def __init__(self, text: TextAnalyzer) -> None:
        self.text = text

    async def get(self, session: AsyncSession, survey_id: int) -> Survey:
        row = await session.get(Survey, survey_id)
        if row is None:
            raise BadInput(f"survey {survey_id} not found", ErrorCode.NOT_FOUND)
        return row

    async def by_token(self, session: AsyncSession, token: str) -> Survey | None:
        return await session.scalar(select(Survey).where(Survey.token == token[:32]))

    async def create(
        self, session: AsyncSession, project: Project, title: str, questions: Sequence[Question]
    ) -> Survey:
        checked = check_questions(questions)
        if not title.strip():
            raise BadInput("a survey needs a title")
        row = Survey(project_id=project.id, community=project.community,
                     title=title.strip()[:200], questions=checked,
                     token=secrets.token_urlsafe(16), status="draft", created_at=now())
        session.add(row)
        await session.commit()
        return row

    async def send(
        self, session: AsyncSession, survey: Survey,
        audience: Audience = Audience.COMMUNITY, group: str | None = None,
    ) -> Survey:
        if survey.status != "draft":
            raise BadInput(f"a {survey.status} survey is not sent again; allowed: close"
                           if survey.status == "open" else "a closed survey stays closed",
                           ErrorCode.BAD_STATE)
        if (audience is Audience.TARGET_GROUP) != (group is not None):
            raise BadInput("a target group goes with the TARGET_GROUP audience only")
        survey.status, survey.sent_at = "open", now()
        survey.audience, survey.audience_group = audience.value, group
        await session.commit()
        return survey

    async def close(self, session: AsyncSession, survey: Survey) -> Survey:
        if survey.status != "open":
            raise BadInput(f"only an open survey is closed (this one is {survey.status})",
                           ErrorCode.BAD_STATE)
        survey.status, survey.closed_at = "closed", now()
        await session.commit()
        return survey

    async def open_for(self, session: AsyncSession, member: Member) -> list[Survey]:
        """The open surveys whose audience includes `member`."""
        return list(await session.scalars(select(Survey).where(
            visible(member), Survey.status == "open").order_by(Survey.id)))

    async def for_member(
        self, session: AsyncSession, member: Member, survey_id: int | None = None,
        token: str | None = None,
    ) -> Survey:
        """A survey by id or token, as `member` may see it: NOT_FOUND when there is none,
        NOT_IN_AUDIENCE when it is not for her (FORBIDDEN: another community; BAD_STATE:
        not sent yet)."""
        if token is not None:
            where = Survey.token == token[:32]
        elif survey_id is not None:
            where = Survey.id == survey_id
        else:
            raise BadInput("give the survey's id or its token")
        row = await session.scalar(select(Survey).where(where, visible(member)))
        if row is not None:
            return row
        other = (await session.execute(select(Survey.community, Survey.status).where(
            where))).first()
        if other is None:
            raise BadInput("survey not found", ErrorCode.NOT_FOUND)
        if other.community != member.community:
            raise AccessDenied("这份问卷面向其他社区的居民 (this survey is for the residents "
                               "of another community)")
        if other.status == "draft":
            raise BadInput("this survey is not open for answers", ErrorCode.BAD_STATE)
        raise not_in_audience()

    async def answer(
        self, session: AsyncSession, survey: Survey, respondent_key: str,
        given: Sequence[str | None],
    ) -> Answer:
        if survey.status != "open":
            raise BadInput("this survey is not open for answers" if survey.status == "draft"
                           else "this survey is closed; answers are no longer taken",
                           ErrorCode.BAD_STATE)
        values = check_answers(survey.questions, given)
        keywords: list[str] = []
        categories: list[str] = []
        for q, value in zip(survey.questions, values, strict=True):
            if q["kind"] == "text" and value:
                analysis = self.text.analyze(value)
                keywords.extend(analysis.keywords[:5])
                categories.append(analysis.category)
        row = Answer(survey_id=survey.id, respondent_key=respondent_key, answers=values,
                     keywords=keywords, categories=categories, created_at=now())
        session.add(row)
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
            raise BadInput("已填写过本问卷 (one answer per resident)",
                           ErrorCode.ALREADY_ANSWERED) from None
        return row

    async def answered(self, session: AsyncSession, survey_id: int, respondent_key: str) -> bool:
        return await session.get(Answer, (survey_id, respondent_key)) is not None

    async def results(self, session: AsyncSession, survey: Survey) -> Results:
        rows = list(await session.execute(select(Answer.answers, Answer.keywords).where(
            Answer.survey_id == survey.id)))
        questions = []
        asked = satisfied = 0
        for i, q in enumerate(survey.questions):
            values = [r[0][i] for r in rows if i < len(r[0]) and r[0][i] is not None]
            choices = dict(Counter(values)) if q["kind"] == "choice" else {}
            scores = [int(v) for v in values] if q["kind"] == "scale" else []
            keywords: list[tuple[str, int]] = []
            categories: dict[str, int] = {}
            if q["kind"] == "text":
                analyses = [self.text.analyze(v) for v in values]
                keywords = Counter(k for a in analyses for k in a.keywords[:5]).most_common(10)
                categories = dict(Counter(a.category for a in analyses))
            if q.get("satisfaction"):
                asked += len(scores)
                satisfied += sum(1 for s in scores if s >= SATISFIED)
            questions.append(QuestionResult(
                i, q["text"], q["kind"], len(values), {str(k): v for k, v in choices.items()},
                sum(scores) / len(scores) if scores else None, keywords, categories))
        return Results(len(rows), asked, satisfied, questions)
