"""robots.txt, read with protego: which URLs we may fetch, how long to wait between requests,
and which sitemaps the site announces."""

from __future__ import annotations

from dataclasses import dataclass

from protego import Protego


@dataclass
class Robots:
    rules: Protego | None  # None: no robots.txt (everything allowed)
    user_agent: str

    @classmethod
    def parse(cls, text: str | None, user_agent: str) -> Robots:
        return cls(Protego.parse(text) if text else None, user_agent)

    @classmethod
    def disallow_all(cls, user_agent: str) -> Robots:
        # A robots.txt that answers 401/403 means "keep out" (RFC 9309, 2.3.1.3).
        return cls(Protego.parse("User-agent: *\nDisallow: /"), user_agent)

    def allowed(self, url: str) -> bool:
        return self.rules is None or self.rules.can_fetch(url, self.user_agent)

    def crawl_delay(self) -> float | None:
        if self.rules is None:
            return None
        delay = self.rules.crawl_delay(self.user_agent)
        return float(delay) if delay is not None else None

    def sitemaps(self) -> list[str]:
        return list(self.rules.sitemaps) if self.rules else []
