"""prioritise/analyses/scenarios"""
