import com.almworks.sqlite4java.SQLiteConnection;
import com.almworks.sqlite4java.SQLiteJob;
import com.almworks.sqlite4java.SQLiteQueue;
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.amazonaws.services.dynamodbv2.local.shared.access.StreamInfo;
import com.amazonaws.services.dynamodbv2.local.shared.access.sqlite.TableSchemaInfo;
import com.amazonaws.services.dynamodbv2.local.shared.mapper.DynamoDBObjectMapper;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Starts DynamoDB Local listening on one address only, and tunes the SQLite database it keeps on disk.
 *
 * Its own command line has no option for the address, and the Jetty server it builds listens on every interface;
 * this sets the host of that server's connector before it starts.
 *
 * On disk (-dbPath), DynamoDB Local runs every job (each item read, each item written, each stream record) as its own
 * SQLite transaction with SQLite's defaults: a rollback journal file created and deleted per transaction, file locks
 * taken and released around each one, and a 2 MB page cache. That makes a bulk write about ten times slower than in
 * memory. Its command line has no option for any of it, so after it starts this finds the SQLite queue it opened and
 * runs the profile's PRAGMAs on that connection (its one connection: every job runs on that queue's thread).
 *
 * Before every item it reads or writes, DynamoDB Local reads its table's schema (the TableSchemaInfo JSON in its
 * metadata table) and parses it with Jackson, on its one SQLite thread: about a third of that thread's time in a bulk
 * write. The launcher gives that parse a cache (SchemaCache): the schema is still read from SQLite every time, and
 * parsed only when its bytes are new, so a changed schema is a new parse. A parse is shared by the operations that read
 * it, which is safe because only item operations read schemas this way (getTableSchemaInfo2: get, put, delete, query,
 * index counts and sizes) and none changes the object; the table operations that change a schema in place (UpdateTable,
 * UpdateTimeToLive, an index's creation and removal) read it through another mapper and so always parse their own.
 *
 * Started with -Dserverless.exitWithStdin=true (as DynamoDbLocalServer starts it), it exits when its standard input
 * ends: the process that started it holds the other end of that pipe, so when that process dies, even killed outright
 * with no chance to stop its children, the emulator does not outlive it holding the port and the database.
 *
 * Usage: BoundDynamoDbLocal address profile DynamoDB-Local-arguments...
 *   profile: none (as it comes), scratch (a throwaway database: 4 KB pages, journal in memory, no syncs) or
 *            durable (a kept database: write-ahead log, synced at checkpoints, so a killed process loses no commit).
 */
public final class BoundDynamoDbLocal {
    private static final String[] SHARED = {
        "PRAGMA locking_mode=EXCLUSIVE",
        "PRAGMA temp_store=MEMORY",
        "PRAGMA cache_size=-262144",
    };
    // DynamoDB Local's SQLite makes its databases with 1 KB pages, so most items and stream records (1-3 KB of JSON)
    // spill into chains of overflow pages. A scratch database is new and holds only DynamoDB Local's empty metadata
    // tables when it is tuned, so rebuilding it with 4 KB pages (VACUUM) takes milliseconds. A kept database is not
    // rebuilt: in WAL mode VACUUM cannot change its page size, and a large one would take minutes.
    private static final String[] SCRATCH = {"PRAGMA page_size=4096", "VACUUM", "PRAGMA journal_mode=MEMORY", "PRAGMA synchronous=OFF"};
    private static final String[] DURABLE = {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"};

    private BoundDynamoDbLocal() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: BoundDynamoDbLocal <address> <none|scratch|durable> [DynamoDB Local arguments]");
            System.exit(2);
        }

        if (Boolean.getBoolean("serverless.exitWithStdin")) {
            Thread watcher = new Thread(BoundDynamoDbLocal::exitWhenStdinEnds, "exit-with-stdin");
            watcher.setDaemon(true);
            watcher.start();
        }

        String address = args[0];
        String[] profile = switch (args[1]) {
            case "none" -> null;
            case "scratch" -> concat(SCRATCH, SHARED);
            case "durable" -> concat(DURABLE, SHARED);
            default -> {
                System.err.println("unknown SQLite profile " + args[1] + " (none, scratch or durable)");
                System.exit(2);
                yield null;
            }
        };

        String[] own = Arrays.copyOfRange(args, 2, args.length);
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(own);
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        Server server = (Server) field.get(proxy);
        String cached = SchemaCache.install();
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
        System.err.println(cached);
        if (profile != null) {
            tune(proxy, address, portOf(own), profile);
        }
    }

    /** Reads standard input to its end (nothing is ever written to it), then ends the process. */
    private static void exitWhenStdinEnds() {
        try {
            byte[] buffer = new byte[256];
            while (System.in.read(buffer) != -1) {
                // Nothing is sent; anything that is, is ignored.
            }
        } catch (java.io.IOException e) {
            // A broken pipe ends it the same way.
        }

        System.err.println("DynamoDB Local: the process that started it is gone (its standard input ended); stopping");
        System.exit(0);
    }

    /** Opens the database (DynamoDB Local does so on its first request) and runs the PRAGMAs on its connection. */
    private static void tune(DynamoDBProxyServer proxy, String address, int port, String[] pragmas) throws Exception {
        String host = address.contains(":") ? "[" + address + "]" : address;
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/"))
            .header("X-Amz-Target", "DynamoDB_20120810.ListTables")
            .header("Content-Type", "application/x-amz-json-1.0")
            .header("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0")
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            System.err.println("SQLite not tuned: DynamoDB Local answered " + response.statusCode() + " to its first request");
            return;
        }

        List<SQLiteQueue> queues = new ArrayList<>();
        find(proxy, queues, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
        if (queues.isEmpty()) {
            System.err.println("SQLite not tuned: no SQLite queue found in DynamoDB Local");
            return;
        }

        for (SQLiteQueue queue : queues) {
            queue.execute(new SQLiteJob<Void>() {
                @Override
                protected Void job(SQLiteConnection connection) throws Throwable {
                    for (String pragma : pragmas) {
                        connection.exec(pragma);
                    }

                    return null;
                }
            }).complete();
        }

        System.err.println("SQLite tuned (" + queues.size() + " database): " + String.join("; ", pragmas));
    }

    /** Walks DynamoDB Local's own objects (not the JDK's) from the server down to the SQLite queues it holds. */
    private static void find(Object value, List<SQLiteQueue> found, Set<Object> seen, int depth) throws IllegalAccessException {
        if (value == null || depth > 10 || !seen.add(value)) {
            return;
        }

        if (value instanceof SQLiteQueue queue) {
            found.add(queue);
            return;
        }

        if (value instanceof Map<?, ?> map) {
            for (Object item : map.values()) {
                find(item, found, seen, depth + 1);
            }

            return;
        }

        if (value instanceof Collection<?> items) {
            for (Object item : items) {
                find(item, found, seen, depth + 1);
            }

            return;
        }

        for (Class<?> type = value.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            if (!type.getName().startsWith("com.amazonaws.services.dynamodbv2.local.")) {
                continue;
            }

            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()) {
                    continue;
                }

                try {
                    field.setAccessible(true);
                } catch (RuntimeException inaccessible) {
                    continue;
                }

                find(field.get(value), found, seen, depth + 1);
            }
        }
    }

    private static int portOf(String[] own) {
        for (int i = 0; i + 1 < own.length; i++) {
            if (own[i].equals("-port")) {
                return Integer.parseInt(own[i + 1]);
            }
        }

        return 8000;
    }

    private static String[] concat(String[] first, String[] second) {
        String[] all = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    /** Parses of table schemas and stream descriptions by the bytes they were parsed from (a few a table). */
    static final class SchemaCache {
        private static final int CAPACITY = 64;
        private static final Map<ByteBuffer, Object> PARSED = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Object> eldest) {
                return size() > CAPACITY;
            }
        });

        private SchemaCache() {
        }

        /** Puts the caching mapper in DynamoDB Local's item operations' schema reader; says whether it could. */
        static String install() {
            try {
                Class<?> job = Class.forName(
                    "com.amazonaws.services.dynamodbv2.local.shared.access.sqlite.SQLiteDBAccessJob", true,
                    BoundDynamoDbLocal.class.getClassLoader());
                Field mapper = job.getDeclaredField("MAPPER");
                // A static final field: set through sun.misc.Unsafe (by reflection, as it is the JDK's internal API),
                // before any code that reads it has run, so none has been compiled with the old value.
                Class<?> unsafeType = Class.forName("sun.misc.Unsafe");
                Field theUnsafe = unsafeType.getDeclaredField("theUnsafe");
                theUnsafe.setAccessible(true);
                Object unsafe = theUnsafe.get(null);
                Object base = unsafeType.getMethod("staticFieldBase", Field.class).invoke(unsafe, mapper);
                long offset = (long) unsafeType.getMethod("staticFieldOffset", Field.class).invoke(unsafe, mapper);
                unsafeType.getMethod("putObjectVolatile", Object.class, long.class, Object.class)
                    .invoke(unsafe, base, offset, new CachingMapper());
                return "table schemas cached: each parsed once per version";
            } catch (Throwable e) {
                return "table schemas not cached (" + e + ")";
            }
        }
    }

    /**
     * DynamoDB Local's own mapper, but a table schema, or a stream's view type and key (StreamInfo, parsed for every
     * stream record written and read only), parsed from bytes it has parsed before is the earlier parse.
     */
    static final class CachingMapper extends DynamoDBObjectMapper {
        private static final long serialVersionUID = 1L;

        @Override
        public <T> T readValue(byte[] src, Class<T> valueType) throws IOException {
            if ((valueType != TableSchemaInfo.class && valueType != StreamInfo.class) || src == null) {
                return super.readValue(src, valueType);
            }

            // The blob SQLite hands over is a fresh array, so it can be kept as the key.
            ByteBuffer key = ByteBuffer.wrap(src);
            Object hit = SchemaCache.PARSED.get(key);
            if (hit != null) {
                return valueType.cast(hit);
            }

            T parsed = super.readValue(src, valueType);
            SchemaCache.PARSED.put(key, parsed);
            return parsed;
        }
    }
}
