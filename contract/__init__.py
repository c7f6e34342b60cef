"""Request and answer bodies of API.md: ``XCreate`` comes in, ``XPublic`` goes out."""
