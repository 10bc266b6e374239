"""prioritise/execution"""
