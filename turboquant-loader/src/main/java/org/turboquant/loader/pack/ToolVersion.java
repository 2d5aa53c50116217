package org.turboquant.loader.pack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** "turboquant-jvm VERSION" as recorded in manifests; VERSION is the Maven project version, filtered in. */
public final class ToolVersion {
    private static final String VERSION = load();

    private ToolVersion() {}

    public static String version() {
        return VERSION;
    }

    public static String get() {
        return "turboquant-jvm " + VERSION;
    }

    private static String load() {
        try (InputStream in = ToolVersion.class.getResourceAsStream("/org/turboquant/loader/version.properties")) {
            if (in == null) throw new IllegalStateException("version.properties missing from the loader jar");
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
