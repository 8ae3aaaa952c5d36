"""Learning the facts of a Claude Code version ccdoctor ships no file for, from the installed
client itself: one run against a loopback recorder, cached per version in the user's cache."""
