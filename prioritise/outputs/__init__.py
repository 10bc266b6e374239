"""prioritise/outputs"""
