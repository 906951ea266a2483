@echo off
rem hoard: start hoard from a release archive on Windows, with the JDK 21 or newer
rem in JAVA_HOME, or else the java on PATH. HOARD_JAVA_OPTS adds JVM options.
setlocal
set "HOARD_JAR=%~dp0..\lib\hoard.jar"
if defined JAVA_HOME (
  set "HOARD_JAVA=%JAVA_HOME%\bin\java.exe"
) else (
  set "HOARD_JAVA=java"
)
rem --enable-native-access: zstd-jni loads a JNI library (JDK 24+ warns otherwise; JDK 21 accepts the flag).
"%HOARD_JAVA%" -XX:+UseSerialGC -XX:-UsePerfData --enable-native-access=ALL-UNNAMED %HOARD_JAVA_OPTS% -cp "%HOARD_JAR%" dev.hoard.cli.HoardCommand %*
exit /b %ERRORLEVEL%
