"""prioritise/access"""
