"""HIPAA X12 005010 files (DESIGN 9, issue 4): reading them in bounded memory, and checking them.

The reader is a pipeline of small layers, each streaming into the next:

- ``reader``: the delimiters from the ISA (never assumed), then segments split from the stream
  chunk by chunk (line breaks after terminators ignored, a byte-order mark tolerated);
- ``envelope``: ISA/IEA, GS/GE, ST/SE with their counts and control numbers, and each set's
  segments handed to the set's reader with the loop each belongs to (``loops``, ``guides``: the
  loops of each implementation guide), as ``events``;
- ``x837``: the 837P, 837I and 837D claims in the scenario claim shape of DESIGN 7, one
  ``ClaimRead`` as soon as a claim is complete (``claim_parts``: a claim as it is read, its
  document, its source and its claim-level rules);
- ``parse``: the events of a file (``iter_events``, for the intake) or the whole parse as JSON
  (``aso edi parse``).

Everything wrong is a ``Finding`` (``findings``) that names the segment's ordinal in the file and
in its set, its id and element, and carries the TA1, AK9, IK5, IK3 and IK4 codes (``codes``) the
acknowledgments are written from; its level says what it rejects: the interchange, a group, a set
or one claim. A file whose ISA cannot be trusted raises ``Unreadable``. ``validate`` runs pyx12,
the independent validator, and returns its findings the same way.
"""
