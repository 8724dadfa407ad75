"""The housing agency's priority cases (förtur): one shared record, two audiences.

Social services (the case's RVT officers) write the application and the certificate; the
housing agency reviews, decides, handles the committee, watches flats and makes offers. Each side
reads its own wire model (schemas.py); the agency's cannot carry social-file data.
"""
