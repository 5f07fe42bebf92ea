int hash_placeholder;
