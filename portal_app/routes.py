"""Every route of the portal, in one place."""

HOME = "/"
SIGN_IN = "/sign-in"
REGISTER = "/register"
