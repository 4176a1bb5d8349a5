"""marking"""
