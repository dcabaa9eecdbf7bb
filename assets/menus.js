// Escape closes the open header menu and puts the focus back on its button (WAI-ARIA disclosure
// pattern). The menus are Reflex state; clicking the open button is the same event a user sends.
if (!window.precertMenusEscape) {
  window.precertMenusEscape = true;
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const navigation = document.querySelector('nav[aria-label="Main"]');
    if (!navigation) return;
    const open =
      navigation.querySelector('.nav-menu-button[aria-expanded="true"]') ||
      navigation.querySelector('.nav-toggle[aria-expanded="true"]');
    if (!open) return;
    event.preventDefault();
    open.click();
    open.focus();
  });
}
