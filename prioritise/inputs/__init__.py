"""prioritise/inputs"""
