"""contests"""
