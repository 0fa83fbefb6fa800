"""Policy answers on top of the projection: decomposition by lever group, target seeking."""
