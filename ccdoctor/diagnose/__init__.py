"""Diagnosis that is not tied to one provider route: configuration in, findings (Problem) out.
The checks in ccdoctor.checks declare these and put their findings together."""
