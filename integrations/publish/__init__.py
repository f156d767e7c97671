"""Publishing articles to the user's blogs and sites (WordPress REST,
MetaWeblog XML-RPC, a static-site folder, a signed webhook)."""
