"""The versioned prompt files (*.vN.md), shipped as package data so an installed budgetqa finds them."""
