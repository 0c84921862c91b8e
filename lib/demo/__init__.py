"""The fictional demo data set that ``make run`` loads (``python -m lib.cli seed``).

``seed.py`` holds the entry point and the ordered list of steps; each area of the product
adds its own step module here (``feedback.py`` for campaigns and responses).
"""
