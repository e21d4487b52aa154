"""Email that leaves the war room: the day's blog (composed and sent, with its
seal) and meeting invitations (iTIP), each claimed once, retried, and its fate
recorded as events. The SMTP transport itself is `warroom.mail`."""
