

{}no ts