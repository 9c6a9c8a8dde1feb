"""Code tables and yearly figures kept as data (YAML beside this file), not as code.

Each table says where its figures come from; a new year is a new entry, not a code change.
"""
