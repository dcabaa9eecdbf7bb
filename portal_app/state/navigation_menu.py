"""Which header menu is open: generic UI state, no data behind it (any caller may toggle it)."""

from __future__ import annotations

import reflex as rx


class NavigationMenuState(rx.State):
    """The open disclosure menu of the header (its label, or "") and, on a phone, the whole navigation."""

    open_menu: str = ""
    navigation_open: bool = False

    def toggle_menu(self, label: str) -> None:
        self.open_menu = "" if self.open_menu == label else str(label)[:40]

    def toggle_navigation(self) -> None:
        self.navigation_open = not self.navigation_open
        self.open_menu = ""

    def close_menus(self) -> None:
        self.open_menu = ""
        self.navigation_open = False
