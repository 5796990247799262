"""Extraction stage: organizations (with canonical ids), money, people and places.

Takes Article records, returns Extraction records; never touches the database.
"""
