"""The surgical and endoscopic procedures program (a program plug-in)."""
