# Sourced by ./tq, ./build and bench/run.sh: exports JAVA_HOME pointing at a JDK 25 or newer.
# Order: JAVA_HOME if it is 25+, then the newest JDK 25+ under /usr/lib/jvm (or $TQ_JVM_DIR).

tq_java_major() { # prints the feature version of the java binary in $1
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

tq_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    local v; v=$(tq_java_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$JAVA_HOME"; return 0; fi
  fi
  local best="" bestv=0 d v
  for d in "${TQ_JVM_DIR:-/usr/lib/jvm}"/*; do
    [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ] || continue
    v=$(tq_java_major "$d")
    if [ -n "$v" ] && [ "$v" -ge 25 ] && [ "$v" -gt "$bestv" ]; then best=$d; bestv=$v; fi
  done
  [ -n "$best" ] && { echo "$best"; return 0; }
  return 1
}

if ! TQ_JDK=$(tq_find_jdk); then
  echo "error: no JDK 25 or newer found (JAVA_HOME=${JAVA_HOME:-unset}, searched ${TQ_JVM_DIR:-/usr/lib/jvm}); install one, e.g. Temurin 25" >&2
  exit 3
fi
export JAVA_HOME="$TQ_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
