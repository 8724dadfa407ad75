"""Statistics for the coordinator and the committee: the Bryt upp effect goals, equal support
across districts, cost, unmet need and the official reporting counts.

Pure queries (``facts``) and computations (``goals``, ``districts``, ``reporting``,
``unmet``); ``report`` puts them together behind the ``statistics_read`` permission and
``cells`` turns every figure into what may be shown (small cells as "< 5"). Nothing here
returns a case id, a case number or anything else that points at a person.
"""
