import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import java.util.Arrays;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Starts DynamoDB Local listening on one address only. Its own command line has no option for the address, and
 * the Jetty server it builds listens on every interface; this sets the host of that server's connector before it
 * starts. Usage: BoundDynamoDbLocal <address> <DynamoDB Local's own arguments...>
 */
public final class BoundDynamoDbLocal {
    private BoundDynamoDbLocal() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: BoundDynamoDbLocal <address> [DynamoDB Local arguments]");
            System.exit(2);
        }

        String address = args[0];
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(Arrays.copyOfRange(args, 1, args.length));
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        Server server = (Server) field.get(proxy);
        int bound = 0;
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof ServerConnector serverConnector) {
                serverConnector.setHost(address);
                bound++;
            }
        }

        if (bound == 0) {
            System.err.println("DynamoDB Local's server has no connector to bind to " + address);
            System.exit(3);
        }

        proxy.start();
    }
}
