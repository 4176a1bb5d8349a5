"""contest_files"""
