"""`Services`: precise services of one hub process, built once with the runtime."""

from typing import TYPE_CHECKING

from hub.services import config
from hub.services.catalogue import Catalogue
from hub.services.groups import GroupCounter

if TYPE_CHECKING:
    from hub.runtime import Runtime


class Services:
    def __init__(self, runtime: "Runtime") -> None:
        self.runtime = runtime
        self.vocabulary = config.load()
        self.catalogue = Catalogue(self.vocabulary)
        self.groups = GroupCounter(runtime, self.vocabulary)
