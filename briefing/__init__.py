"""Briefing exports: chart images, Excel workbooks and the meeting pack (PowerPoint, Word).

Used by the pages (download buttons, /briefing) and by the command line
(`python -m briefing`), so both produce the same documents from the same KPI registry.
"""
