"""Documents made outside the screen: the journey report as PDF (typst), its charts as SVG.

No Streamlit and no SQL here: services hand over what they read, this package sets it.
"""
