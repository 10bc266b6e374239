"""prioritise/analyses"""
