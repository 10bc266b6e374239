"""prioritise/core"""
