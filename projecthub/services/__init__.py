"""Business rules and authorization. Every public function takes the acting principal."""
