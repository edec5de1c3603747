package dev.onlineem.stream;

import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;

/**
 * A permission the cluster refused: not bad input, and not worth a retry. Names the principal (as far as the client's own
 * settings say it), the resource and the operation, and the kafka-acls.sh line that grants it.
 */
public final class AuthorizationFailure {
    private static final Pattern JAAS_USER = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

    private AuthorizationFailure() {
    }

    /** The authorization error in e's cause chain, or null. */
    public static AuthorizationException find(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthorizationException a) {
                return a;
            }
        }
        return null;
    }

    /**
     * One line: who was refused what on which resource, and how to grant it.
     *
     * @param operation what the client was doing when refused, e.g. "WRITE" for a produce; null when unknown
     * @param streams the processor's properties (application id, SASL settings)
     */
    public static String describe(AuthorizationException e, String operation, Properties streams) {
        String principal = principal(streams);
        String app = String.valueOf(streams.getOrDefault("application.id", "online-em"));
        String what;
        String grant;
        if (e instanceof TopicAuthorizationException t) {
            String op = operation == null ? "READ or WRITE" : operation;
            what = op + " on topic(s) " + t.unauthorizedTopics();
            grant = "kafka-acls.sh --add --allow-principal " + principal + " --operation " + (operation == null ? "Read --operation Write" : operation)
                    + " --topic " + (t.unauthorizedTopics().isEmpty() ? "<topic>" : t.unauthorizedTopics().iterator().next());
        } else if (e instanceof GroupAuthorizationException g) {
            what = "READ on group " + (g.groupId() == null ? app : g.groupId());
            grant = "kafka-acls.sh --add --allow-principal " + principal + " --operation Read --group " + (g.groupId() == null ? app : g.groupId());
        } else if (e instanceof TransactionalIdAuthorizationException) {
            what = "WRITE on the transactional ids of application " + app + " (exactly-once)";
            grant = "kafka-acls.sh --add --allow-principal " + principal + " --operation Write --operation Describe --transactional-id " + app
                    + " --resource-pattern-type prefixed";
        } else if (e instanceof ClusterAuthorizationException) {
            what = "an operation on the cluster";
            grant = "kafka-acls.sh --add --allow-principal " + principal + " --operation IdempotentWrite --cluster";
        } else {
            what = operation == null ? "an operation" : operation;
            grant = "kafka-acls.sh --add --allow-principal " + principal + " ...";
        }
        return "the cluster refused " + what + " to principal " + principal + ": " + e.getMessage() + ". Grant it (" + grant
                + ") and start the service again; it stops rather than retry for ever";
    }

    /** User:NAME from sasl.jaas.config where it says, else what the client's security settings allow to say. */
    static String principal(Properties streams) {
        Object jaas = streams.get("sasl.jaas.config");
        if (jaas != null) {
            Matcher m = JAAS_USER.matcher(String.valueOf(jaas));
            if (m.find()) {
                return "User:" + m.group(1);
            }
        }
        Object protocol = streams.get("security.protocol");
        return protocol != null && String.valueOf(protocol).startsWith("SSL") ? "User:<the client certificate's subject>"
                : protocol != null && String.valueOf(protocol).startsWith("SASL") ? "User:<the SASL user>" : "User:ANONYMOUS";
    }
}
