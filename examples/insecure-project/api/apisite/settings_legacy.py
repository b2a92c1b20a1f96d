# The Python 2 settings of the first API version, kept for reference.
DEBUG = False
print "legacy settings loaded"  # expect: DJG002
