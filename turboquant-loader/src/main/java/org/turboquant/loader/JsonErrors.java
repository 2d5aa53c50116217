package org.turboquant.loader;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.util.List;

/**
 * A JSON parse or mapping error in words a user can act on: where (line, column, field) and what, in one line,
 * without Jackson's internals (token names, Java types in backticks, "[Source: ...]" locations).
 */
public final class JsonErrors {
    private JsonErrors() {}

    /** "field tensors[3].rows: expected a number, at line 40, column 17". */
    public static String describe(JacksonException e) {
        String what;
        String field = e instanceof DatabindException d ? path(((JsonMappingException) d).getPath()) : "";
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            what = "expected " + kind(m.getTargetType());
        } else {
            what = clean(e.getOriginalMessage());
        }
        JsonLocation loc = e.getLocation();
        String where = loc != null && loc.getLineNr() > 0 ? " at line " + loc.getLineNr() + ", column " + loc.getColumnNr() : "";
        return (field.isEmpty() ? "" : "field " + field + ": ") + what + where;
    }

    static String clean(String message) {
        if (message == null) return "unreadable JSON";
        String s = message.lines().findFirst().orElse("");
        s = s.replaceAll("\\s*\\(start marker at \\[Source:.*?\\]\\)", "")
                .replaceAll("\\s*\\[Source:.*", "")
                .replaceAll("\\s*\\(token `[^`]*`\\)", "")
                .replaceAll("\\s*\\(code \\d+\\)", "")
                .replaceAll("`(?:[\\w$]+\\.)*([\\w$\\[\\]]+)`", "$1");
        return s.strip();
    }

    private static String kind(Class<?> type) {
        if (type == int.class || type == long.class || type == Integer.class || type == Long.class) return "an integer";
        if (type == double.class || type == float.class || type == Double.class) return "a number";
        if (type == boolean.class || type == Boolean.class) return "true or false";
        if (type == String.class) return "a string";
        if (type.isArray() || List.class.isAssignableFrom(type)) return "an array";
        if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) return "an object";
        return "a " + type.getSimpleName();
    }

    private static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) sb.append(sb.isEmpty() ? "" : ".").append(r.getFieldName());
            else if (r.getIndex() >= 0) sb.append('[').append(r.getIndex()).append(']');
        }
        return sb.toString();
    }
}
