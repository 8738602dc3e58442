from django.dispatch import Signal

# Sent after load_demo has loaded the demo catalogue, so dependent apps can add their demo data
# (prices and stock, reviews, poll votes) without the catalogue importing them.
demo_loaded = Signal()
