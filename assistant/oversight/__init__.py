"""Human oversight of the AI features: switches an admin can turn off at once."""
