"""boto3 adapters: the only place warroom talks to AWS. Services see them through ports."""
