"""What the declarer reads while the war room opens: that it is coming (a step had to
wait for Slack) and that it is ready, with what Slack refused. Worded here from the
facts `bot.services.declarations` reports."""

from __future__ import annotations

from bot.domain.incident import reference
from bot.services.ports import Asker, Chat, Teller, WarRoomNews
from bot.slack.responder import Responder

REFUSED = {
    "channel": "the channel could not be created",
    "invite": "you could not be invited",
    "summary": "the summary could not be posted",
    "pin": "the summary could not be pinned",
}
WAITING = {
    "ratelimited": "Slack is rate-limiting warroom",
    "timeout": "Slack did not answer in time",
    "slack_unreachable": "Slack cannot be reached",
}


def problem_text(step: str, code: str) -> str:
    if step == "channel" and code == "no_free_name":
        return "no free channel name was found"
    return f"{REFUSED.get(step, f'the step `{step}` failed')} (Slack said `{code}`)"


def waiting_text(news: WarRoomNews) -> str:
    ref = reference(news.number)
    code = news.waiting_on or "unknown"
    why = WAITING.get(code, f"Slack is failing (`{code}`)")
    when = ""
    if news.retry_at is not None:
        stamp = int(news.retry_at.timestamp())
        when = f" (next try <!date^{stamp}^{{time_secs}}|{news.retry_at:%H:%M:%S} UTC>)"
    if news.channel_id:
        return (
            f":hourglass_flowing_sand: {ref} is open in <#{news.channel_id}>, but {why}: "
            f"the rest (invitation, pinned summary) is coming{when}."
        )
    return (
        f":hourglass_flowing_sand: {ref} is stored, and {why}: its channel is coming{when}. "
        "warroom keeps trying and tells you here when it is ready; nothing is lost."
    )


def finished_text(news: WarRoomNews) -> str:
    ref = reference(news.number)
    if news.problems:
        where = f" <#{news.channel_id}>" if news.channel_id else ""
        return (
            f":warning: {ref} is recorded{where}, but "
            + "; ".join(problem_text(step, code) for step, code in news.problems)
            + ". Nothing you typed is lost: the incident, its timeline and roster are stored."
        )
    return f":white_check_mark: {ref} is open in <#{news.channel_id}>."


class SlackDeclarationNotices:
    def __init__(self, chat: Chat) -> None:
        self.chat = chat

    def teller(self, asker: Asker) -> Teller:
        return Responder(
            self.chat, user=asker.user, channel=asker.channel, response_url=asker.response_url
        )

    def waiting(self, news: WarRoomNews) -> None:
        self.teller(news.asker).say(waiting_text(news))

    def finished(self, news: WarRoomNews) -> None:
        self.teller(news.asker).say(finished_text(news))
