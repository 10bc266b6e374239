"""prioritise/planning"""
