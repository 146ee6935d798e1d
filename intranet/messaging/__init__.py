"""Internal messaging (« messagerie »): private conversations between people of the network,
or addressed to a group resolved when the message is sent (an organisation's administrators,
a space's members), with attachments, replies (on the web or by email), read state, archive
and search — seen by the conversation's participants only."""
