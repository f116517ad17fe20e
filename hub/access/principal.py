"""Who is asking: the subject, roles and jurisdictions a verified token names."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: tuple[str, ...]
    jurisdictions: tuple[str, ...] = ()

    @property
    def anonymous(self) -> bool:
        return not self.roles

    def label(self) -> str:
        """How the access log names the principal."""
        if self.anonymous:
            return "anonymous"
        return f"{self.subject} ({','.join(self.roles)}@{','.join(self.jurisdictions) or '-'})"


ANONYMOUS = Principal(subject="anonymous", roles=())
