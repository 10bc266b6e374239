"""prioritise/outputs/report"""
