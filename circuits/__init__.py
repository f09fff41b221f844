"""gnark-style circuit frontend, standard gadgets (``circuits.std``) and the margin model (``circuits.margin``)."""
